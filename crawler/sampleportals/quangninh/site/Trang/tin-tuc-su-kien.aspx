<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:o="urn:schemas-microsoft-com:office:office" lang="vi-vn" dir="ltr" __expr-val-dir="ltr">
<head><meta http-equiv="X-UA-Compatible" content="IE=10" /><meta name="GENERATOR" content="Microsoft SharePoint" /><meta http-equiv="Content-type" content="text/html; charset=utf-8" /><meta http-equiv="Expires" content="0" /><meta name="viewport" content="width=device-width, initial-scale=1.0" /><title>
	Tin tức - Sự kiện
</title><meta name="description" content="Tin tức, sự kiện nổi bật của tỉnh Quảng Ninh" /><link rel="shortcut icon" href="/Style%20Library/QNP/images/favicon.ico" type="image/vnd.microsoft.icon" id="favicon" /><link rel="stylesheet" type="text/css" href="/_layouts/15/1066/styles/Themable/corev15.css?rev=VXAqS%2Bd4Zv5Hd7b%2F7HN%2FcA%3D%3D"/>
<link rel="stylesheet" type="text/css" href="/Style%20Library/QNP/css/bootstrap.min.css"/>
<link rel="stylesheet" type="text/css" href="/Style%20Library/QNP/css/qnp-portal.css?v=2026.06"/>
<script type="text/javascript" src="/_layouts/15/init.js?rev=rqljWeAFWwNOfXdBhSXTmA%3D%3D"></script>
<script type="text/javascript" src="/ScriptResource.axd?d=5Ezr-MJzB9wKXW3OMwzDq2T1pP0l0e7E8jSQ7zv3u2y_sJbHJ2tZV9WM3bQ2kAeXa7aZ4hHQ0hoyG1cT8WvYbU2mEwlR9bW7FzsT1dTjVd6n8I4Wq0RZp9xBeg6R2gQ1CrzPv8S5TdfL6yWm0&amp;t=ffffffffecf19baa"></script>
<script type="text/javascript" src="/_layouts/15/blank.js?rev=ZaOXZEobVwykPO9g8hq%2F8A%3D%3D"></script>
<script type="text/javascript" src="/ScriptResource.axd?d=7nq8Qk1jWm5T9d0pXz2LrCx0E4vR1s6HfYpMkT3uDw8bN2gJ5aQe9LrV0yZ1pC6tW4mXo3sF8jK2dH7uB0nV5cA9eR1tY6iO4pL3kJ8hG2fD5sA0qW9eR7tY&amp;t=ffffffffecf19baa"></script>
<script type="text/javascript">RegisterSod("initstrings.js", "\u002f_layouts\u002f15\u002f1066\u002finitstrings.js?rev=uNmvBiHdrBzcPQhXJmSnJg\u00253D\u00253D");</script>
<script type="text/javascript">RegisterSod("strings.js", "\u002f_layouts\u002f15\u002f1066\u002fstrings.js?rev=bK1SxKtLKFJvSHCyTf9gHQ\u00253D\u00253D");RegisterSodDep("strings.js", "initstrings.js");</script>
<script type="text/javascript">RegisterSod("sp.init.js", "\u002f_layouts\u002f15\u002fsp.init.js?rev=jvJC3Kl5gbORaLtf7kxULQ\u00253D\u00253D");</script>
<script type="text/javascript">RegisterSod("sp.ui.dialog.js", "\u002f_layouts\u002f15\u002fsp.ui.dialog.js?rev=C3c0XyMqDC9DXH0kGaaj7A\u00253D\u00253D");RegisterSodDep("sp.ui.dialog.js", "sp.init.js");</script>
<script type="text/javascript">RegisterSod("core.js", "\u002f_layouts\u002f15\u002fcore.js?rev=GpU7vxyOqzS0F9OfEX3CCw\u00253D\u00253D");RegisterSodDep("core.js", "strings.js");</script>
<script type="text/javascript" src="/Style%20Library/QNP/js/jquery-1.11.3.min.js"></script>
<script type="text/javascript" src="/Style%20Library/QNP/js/qnp-portal.js?v=2026.06"></script>
<link type="text/xml" rel="alternate" href="/_vti_bin/spsdisco.aspx" />
<link rel="canonical" href="https://www.quangninh.gov.vn:443/Trang/tin-tuc-su-kien.aspx" />
<!-- Global site tag (gtag.js) - Google Analytics -->
<script async src="https://www.googletagmanager.com/gtag/js?id=UA-46913207-1"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'UA-46913207-1');
</script>
</head>
<body>
<div id="imgPrefetch" style="display:none">
<img src="/_layouts/15/images/spcommon.png?rev=23" />
<img src="/Style%20Library/QNP/images/banner-qnp.jpg" />
</div>
<form method="post" action="tin-tuc-su-kien.aspx" onsubmit="javascript:return WebForm_OnSubmit();" id="aspnetForm">
<div class="aspNetHidden">
<input type="hidden" name="_wpcmWpid" id="_wpcmWpid" value="" />
<input type="hidden" name="wpcmVal" id="wpcmVal" value="" />
<input type="hidden" name="MSOWebPartPage_PostbackSource" id="MSOWebPartPage_PostbackSource" value="" />
<input type="hidden" name="MSOTlPn_SelectedWpId" id="MSOTlPn_SelectedWpId" value="" />
<input type="hidden" name="MSOTlPn_View" id="MSOTlPn_View" value="0" />
<input type="hidden" name="MSOTlPn_ShowSettings" id="MSOTlPn_ShowSettings" value="False" />
<input type="hidden" name="MSOGallery_SelectedLibrary" id="MSOGallery_SelectedLibrary" value="" />
<input type="hidden" name="MSOGallery_FilterString" id="MSOGallery_FilterString" value="" />
<input type="hidden" name="MSOTlPn_Button" id="MSOTlPn_Button" value="none" />
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="0x6282A7C9FB5F9DE30F21DE1B5A61250A587AFAEDFC7B7B404CA3230884C4EE6E6B3A87C03DAE8243EF5A01081DBA521232874606751DEB1DA69B1A13AF8D0B8C,20 Aug 2026 03:00:12 -0000" />
<input type="hidden" name="MSOSPWebPartManager_DisplayModeName" id="MSOSPWebPartManager_DisplayModeName" value="Browse" />
<input type="hidden" name="MSOSPWebPartManager_ExitingDesignMode" id="MSOSPWebPartManager_ExitingDesignMode" value="false" />
<input type="hidden" name="MSOWebPartPage_Shared" id="MSOWebPartPage_Shared" value="" />
<input type="hidden" name="MSOLayout_LayoutChanges" id="MSOLayout_LayoutChanges" value="" />
<input type="hidden" name="MSOLayout_InDesignMode" id="MSOLayout_InDesignMode" value="" />
<input type="hidden" name="_wpSelected" id="_wpSelected" value="" />
<input type="hidden" name="_wzSelected" id="_wzSelected" value="" />
<input type="hidden" name="MSOSPWebPartManager_OldDisplayModeName" id="MSOSPWebPartManager_OldDisplayModeName" value="Browse" />
<input type="hidden" name="MSOSPWebPartManager_StartWebPartEditingName" id="MSOSPWebPartManager_StartWebPartEditingName" value="false" />
<input type="hidden" name="MSOSPWebPartManager_EndWebPartEditing" id="MSOSPWebPartManager_EndWebPartEditing" value="false" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMxb5+PrZzo6FQhOaq6XOlMKHVj6x8/RkScuAelkp3n+1uslM57H5anQdAXwQ1tPED2x2gfMKkVkoUjWWDRCM7p+rLMnp0AKSilUu+EQ7pfVQesiJuVJy4Gt47IPsYag5z7qrwM2zm1nXrKbYjYQ946JbIwAmYlceERgGRUXOviWQYiB0uq1zNtV3k+TK4beS1PuV1zHsWc4f8Fa9x8XX5LzUzUA6YeStBRnTaZyoVHZDg5AXroEj9Nim9s8Ycvd9qNiH1SvWm1ayBwwBjEOUDm5ehVMoFA/aFh7y8xZBuvw/1SS5MAI30ZE5xCivC4njhfZp0nCH2d/vhM1dnQlsilE23a/eT5RYtw7sVMIMGKCE2lZ+uL21QmvF7wS1zJ1Y55VFZg3bVFWvmNxsxfPTlR5nB8Zir+6ApB8rwJmyxhYWv9z/yrnFs5OMTY05FCvmOKKrtuokDyXfw9krdqAefclnODeiX+tZr1rHQUNgNQEobA1jvj+pB/JibY1np/oF6wNscoELDd8i4546QOLXHvzw4lA6qt1FCuLavGcp5iMWzszEaIiLDMVNWl7dan0LXUWYG3VFbvNakNy0ORQlVdDuSeL5KpY/Wztxi4EuMg6GCEj9VKd61nWOK2TyAEjWGNI8fNd6yzjqkaUvYalBsls+iMOFZg9M4Ez+SnDfjW+D1mh0s3r/SL7B29+LcII1ILqtGU0Yb5FddBylKuKBIp/NLIBSfgAbk12Y866mbPuNU5UgtPffMKm4iu+fILafqKHUkVOEr6hBM+k+zm1Hb2NgiOuU6Z7Vn13bG92TvI0rZkL0QloyD1iSgI2M3PokmrZ5tRqhCwIB0LUHT9RzQ+Klu0NBxmGcFNYKk39zuKBADnOnRqxi2w7AcDozGlfmABCrDk1JJ6T2QxH6AErxK9xKumEb1aDhgKGRMKe2+eLZgGrmx5SwvfAW90r7K7ZcjSVGEPms3sr/GDfpDjgF8dzZi+tAozlJ/FSMTjDcxBekB5gzOQMhB8czkWaOqzXFpurUqnR4ZVTzty1hJMs1cjFULze5z7cmxCju8UrtZMI9DhS+B79TJo/pg4lv6qhP6dqvLVTZBkf3azn2Yf3PuXuta/U2gN5HMx3jimwpGnQm8KSjhLIDVXpw1JfH5bbiTEWkO0o3CxxD4SC5cgaz/wISRXwFnjx8UKJST3YwHz6I0t2QMxl76NRGnEQR2U84o5Pv08Z0zVbaGnk4jpNsFVtTq/koMKtmKfbf0Rc9ZBPpEML0i8HEBbKTsNbZCqI6dxY8T2wz8BA08PA7bYzun1qKzFyIssGtRgziSaBr0jGOdAXQro2Xere4X5/by7YnSOtd+9lghqVudEO5OUG2wJeoPD5eIcNfbRa+zuYU2jBx68phC2GkGXnNivsNXU1NFxN3rDy3kjxbi7+7+FIfAlWQeEVaYYvYLV4uShrWhJ0PRHRmrQBM+RCyptuiw0sizTK3rvHtYwi0YeRkvLTu7xDJMhlXwaQzvHLyFp0k5+Wdvo5czOka3X0/WGnqCSVrAy6YFVDHHw10MdpbWl2W9Yx8A12eDavvRd2TAz72h1XkKiSNJlSs5vthb2J3ORAQfoXaAjc0VsE9zAQCzAfP/vwGFjc1dmOzupHUCdPg2D1mCy4jXs2r3W+3b5BSkOMJlLzL2lCvgq+8fEZmDamTnNSTsgoJjp7T2cDEuj5L0b1TJC7GwVe/hIaJfBkxXVx+kRMCUc1Zmz+C+J+kL3vnKuDVom6+pGClN6wdovwmbwJeiBb8mB6d9KVVxOWxWfIwijvwmQi2ikaBLnDGThNAA49awW5kud3ehTJrCxIE2V8/TCstSJmjhKGLZhc8BV9AOPyjbqgy5y9+p00jIKqEer9ewXEiZp0Lix+3Vd08TzrnDVUlLootKUdHr5rKJ2RKeRTiJY51eA6PZEg0mrZMGWM6RbsqNQnv55KsxOPe2Qv03UukwXcFTocOoUipEbQltYsi3Op7S6AY69j+Y/riZMEfLMPx7ya+FrX16qwXD7fN/OpO8s8pHjt9N94poBAg9Th5bGkCm7eunKhv2LDLpY93cLfUzyfSQuOKZi8542DP3pTZMsgVoZor8v27zurmrXTPimkSieSxxcuj+RJtCN7SV5xt/3mfAZQn4oSKeehQKpNyZp9Gq66JKQtOlIr2XjO9h7Pv5MqCQaTDiNZ36k/xfJl7cprAuo6QfpycubzTkJHJ0KX7uY6rqa15Au+zh8XNm0CUHlC7LMHviO3N9aU6k1+WN9z3xfea1I7bNVEvoMQOy/JQ1b0bGjdaDvFZk10cKiGSCpCobVJHY90mWF8gxhifQGlQML5NWzzWKeG0HOA/KO3XmTQDH/cZEHtAzbGx+w7QuPMHIKu7af4rO+Hj6Dcw8Ou4hjBjS9xGDUW+t7TTLcw2U1W3Z4TCihqidvjtbRZy35pYlSOUj3041Q0m21c7u0IoVOBpROXv6yWNCaGyw9JSiDoRjfGZ8/x8rGST2sgRlpeLY47T0Qeh1aOHTIPKkC3aJQeDlS1JXKjxE/soj/RkmzpK8LSzeryozDghBXWtlhDxTgmOl2rV43DQ7U0t8IneLobZwj+FbqfthZ70kCLKB4E1VoN30ueNKkCQe60nniRGbqw/3U7P0J4B/e+9ooiOioZZLFOvVKBHXoWR2ldiGPgo55ITJZ/YhZqhCz86/UQBfC5gbp9UUMM9VmB8toYaeuS4d7M22IW9/OGSxjyQYML/L0bs5WzJi1Bma8Zoow0FTlmK3DGx83uxR141M5AuI2JW/olhruAHU8OJfitkZR5vASbp7AvLbRQRKo8LEhovUXuo2djJVU7kksvkX1YPkKjNkQJiSbIs3qwe60W90xuTkjhvb/S414gQNHLkncRW9ZAp8aQWteB5AfBaRfyfcApFU0c8f9VMGpstSXOO9fN19+e3l8G53M4iv6pfIrzXF/VeNnsRCoa6psi09ERhMM5It9GD7rBzDnYU+2BmBKQk2pvjWTNZojlnk/GkXbp5Awet89GIAI4M9ruHEOOcgmSrbvlA3614Jmg2L3uLzi6jN5VQHg8AjzPsn7biZlhglCYxa84un4/5sQtneAHmoz8Qzd5tKM6/xVk7Rn7jGgdm8ZtChGpo67g2dXMgItrkKcmuFI9bKOJKfeArnnVU7tCVqpJMNxysqxbd0f7ZePxcCpXLTYA9" />
</div>

<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
if (!theForm) {
    theForm = document.aspnetForm;
}
function __doPostBack(eventTarget, eventArgument) {
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }
}
//]]>
</script>
<script src="/WebResource.axd?d=pynGkmcFUV13He1Qd6_TZBjWtt8h5YQ4JwE9DIFD1Je4TCIWw0nEvXgUOvsUeG9XJbPGEDjDWoGk4DoFsdjIq2ltVsH4Tm7tQFo1x-_o8bA1&amp;t=637814689746327080" type="text/javascript"></script>

<script type="text/javascript">
//<![CDATA[
var MSOWebPartPageFormName = 'aspnetForm';
var g_presenceEnabled = true;
var g_wsaEnabled = false;
var g_correlationId = '3b1f8a9e-2c47-40d5-9e61-0f4d697a17fd';
var g_wsaQoSEnabled = false;
var g_wsaQoSDataPoints = [];
var g_wsaRUMEnabled = false;
var g_wsaLCID = 1066;
var g_wsaListTemplateId = 850;
var g_wsaSiteTemplateId = 'CMSPUBLISHING#0';
var _fV4UI=true;var _spPageContextInfo = {webServerRelativeUrl: "\u002f", webAbsoluteUrl: "https:\u002f\u002fwww.quangninh.gov.vn", siteAbsoluteUrl: "https:\u002f\u002fwww.quangninh.gov.vn", serverRequestPath: "\u002fTrang\u002ftin-tuc-su-kien.aspx", layoutsUrl: "_layouts\u002f15", webTitle: "C\u1ED5ng th\u00F4ng tin \u0111i\u1EC7n t\u1EED t\u1EC9nh Qu\u1EA3ng Ninh", webTemplate: "39", tenantAppVersion: "0", isAppWeb: false, Has2019Era: true, webLogoUrl: "_layouts\u002f15\u002fimages\u002fsiteicon.png", webLanguage: 1066, currentLanguage: 1066, currentUICultureName: "vi-VN", currentCultureName: "vi-VN", clientServerTimeDelta: new Date("2026-08-20T03:00:12.4414937Z") - new Date(), siteClientTag: "2104$$15.0.5311.1000", crossDomainPhotosEnabled:false, webUIVersion:15, webPermMasks:{High:16,Low:196705}, pageListId:"{5c1a7e3f-9d42-4b8e-a6f0-2e913d7c4b58}", pageItemId:2, pagePersonalizationScope:1, alertsEnabled:false, siteServerRelativeUrl: "\u002f", allowSilverlightPrompt:'True'};var L_Menu_BaseUrl="";
var L_Menu_LCID="1066";
var L_Menu_SiteTheme="null";
document.onreadystatechange=fnRemoveAllStatus; function fnRemoveAllStatus(){removeAllStatus(true)};Flighting.ExpFeatures = [480215056,1880287568,1561350208,302071836,3212816,69472768,4194310,-2113396707,268502022,-872284160,1049232,-2147421952,65536,65536,2097472,917504,-2147474174,1372324107,67108882,0,0,-2147483648,2097152,0,0,32768,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,32768]; var _spWebPartComponents = new Object();//]]>
</script>
<script src="/_layouts/15/blank.js?rev=ZaOXZEobVwykPO9g8hq%2F8A%3D%3D" type="text/javascript"></script>
<script type="text/javascript">
//<![CDATA[
if (typeof(DeferWebFormInitCallback) == 'function') DeferWebFormInitCallback();function WebForm_OnSubmit() {
UpdateFormDigest('\u002f', 1440000);if (typeof(_spFormOnSubmitWrapper) != 'undefined') {return _spFormOnSubmitWrapper();} else {return true;};
return true;
}
//]]>
</script>
<div id="ms-designer-ribbon" style="display:none">
<div id="TurnOnAccessibility" style="display:none" class="s4-notdlg noindex">
	<a id="linkTurnOnAcc" href="#" class="ms-accessible ms-acc-button" onclick="SetIsAccessibilityFeatureEnabled(true);UpdateAccessibilityUI();document.getElementById('linkTurnOffAcc').focus();return false;">Bật chế độ trợ năng cao hơn</a>
</div>
<div id="TurnOffAccessibility" style="display:none" class="s4-notdlg noindex">
	<a id="linkTurnOffAcc" href="#" class="ms-accessible ms-acc-button" onclick="SetIsAccessibilityFeatureEnabled(false);UpdateAccessibilityUI();document.getElementById('linkTurnOnAcc').focus();return false;">Tắt chế độ trợ năng cao hơn</a>
</div>
<div class="s4-notdlg noindex">
	<a href="javascript:;" onclick="document.getElementById('startNavigation').focus();" class="ms-accessible ms-acc-button" accesskey="Y">Bỏ qua Lệnh Dải băng</a>
</div>
</div>
<div id="s4-workspace">
<div id="s4-bodyContainer">
<div class="qnp-wrapper">
<div class="qnp-topbar">
	<div class="container">
		<span class="qnp-today">Thứ năm, 20/08/2026</span>
		<ul class="qnp-toplinks">
			<li><a href="/Trang/Default.aspx">Trang chủ</a></li>
			<li><a href="/Trang/SoDoCong.aspx">Sơ đồ cổng</a></li>
			<li><a href="/Trang/LienHe.aspx">Liên hệ</a></li>
			<li><a href="https://english.quangninh.gov.vn/" target="_blank">English</a></li>
			<li><a href="/_layouts/15/Authenticate.aspx?Source=%2F" rel="nofollow">Đăng nhập</a></li>
		</ul>
	</div>
</div>
<div class="qnp-header">
	<div class="container">
		<a href="/Trang/Default.aspx" class="qnp-banner" title="Cổng thông tin điện tử tỉnh Quảng Ninh"><img src="/Style%20Library/QNP/images/banner-qnp.jpg" alt="Cổng thông tin điện tử tỉnh Quảng Ninh" /></a>
		<div class="qnp-search">
			<input name="ctl00$ctl40$txtSearch" type="text" id="ctl00_ctl40_txtSearch" class="qnp-search-input" placeholder="Tìm kiếm..." onkeypress="if(event.keyCode==13){__doPostBack('ctl00$ctl40$btnSearch','');return false;}" />
			<a id="ctl00_ctl40_btnSearch" class="qnp-search-btn" href="javascript:__doPostBack(&#39;ctl00$ctl40$btnSearch&#39;,&#39;&#39;)"><img src="/Style%20Library/QNP/images/icon-search.png" alt="Tìm kiếm" /></a>
		</div>
	</div>
</div>
<div class="qnp-menu">
<div class="container">
<a name="startNavigation" id="startNavigation"></a>
<div id="zz1_TopNavigationMenu" class=" noindex ms-core-listMenu-horizontalBox">
	<ul id="zz2_RootAspMenu" class="root ms-core-listMenu-root static">
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/Default.aspx" accesskey="1"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Trang chủ</span></span></a></li>
		<li class="static dynamic-children"><a class="static dynamic-children menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/GioiThieu.aspx"><span aria-haspopup="true" class="additional-background ms-navedit-flyoutArrow dynamic-children"><span class="menu-item-text">Giới thiệu</span></span></a><ul class="dynamic">
			<li class="dynamic"><a class="dynamic menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/TongQuan.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Tổng quan</span></span></a></li>
			<li class="dynamic"><a class="dynamic menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/BoMayChinhQuyen.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Bộ máy chính quyền</span></span></a></li>
		</ul></li>
		<li class="static selected"><a class="static selected menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/tin-tuc-su-kien.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Tin tức - Sự kiện</span><span class="ms-hidden">Hiện được chọn</span></span></a></li>
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/ChiDaoDieuHanh.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Chỉ đạo điều hành</span></span></a></li>
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/VanBan.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Văn bản</span></span></a></li>
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="https://dichvucong.quangninh.gov.vn/"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Dịch vụ công</span></span></a></li>
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/DoanhNghiep.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Doanh nghiệp</span></span></a></li>
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/DuKhach.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Du khách</span></span></a></li>
		<li class="static"><a class="static menu-item ms-core-listMenu-item ms-displayInline ms-navedit-linkNode" href="/Trang/HoiDap.aspx"><span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">Hỏi đáp</span></span></a></li>
	</ul>
</div>
</div>
</div>
<div class="container qnp-main">
<div class="row">
<div class="col-md-9 qnp-col-main">
<div class="qnp-breadcrumb"><span id="ctl00_PlaceHolderTitleBreadcrumb_ContentMap"><span><a class="ms-sitemapdirectional" href="/Trang/Default.aspx">Trang chủ</a></span><span> &gt; </span><span><span class="ms-sitemapdirectional">Tin tức - Sự kiện</span></span></span></div>
<div id="DeltaPlaceHolderMain">
<a name="mainContent" tabindex="-1"></a>
<div class="qnp-page-title"><h1>Tin tức - Sự kiện</h1></div>
<div id="ctl00_PlaceHolderMain_PageContent__ControlWrapper_RichHtmlField" class="ms-rtestate-field" style="display:inline" aria-labelledby="ctl00_PlaceHolderMain_PageContent_label"><span id="ctl00_PlaceHolderMain_PageContent_label" style="display:none">Nội dung Trang</span>​</div>
<div class="ms-webpart-zone ms-fullWidth">
<div id="MSOZoneCell_WebPartWPQ2" class="s4-wpcell-plain ms-webpartzone-cell ms-webpart-cell-vertical ms-fullWidth ">
<div class="ms-webpart-chrome ms-webpart-chrome-vertical ms-webpart-chrome-fullWidth ">
<div WebPartID="6f1d2c3a-8e41-4b7f-9a26-3c5d8e0f1b72" HasPers="false" id="WebPartWPQ2" width="100%" class="ms-WPBody noindex " allowDelete="false" allowExport="false" style="" ><div id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72">
	<div class="qnp-news-list">
		<div class="qnp-news-item clearfix">
			<div class="qnp-news-thumb"><a href="/Trang/ChiTietTinTuc.aspx?nid=168658"><img src="https://media.quangninh.gov.vn/8f3c2a71-5d4e-4b9a-a1c6-2e7d9f0b4c38/Libraries/HinhAnhBaiViet/2026/08/20/DSC_4512.JPG" alt="Đẩy nhanh tiến độ các dự án giao thông trọng điểm của tỉnh" width="240" height="160" /></a></div>
			<div class="qnp-news-info">
				<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptTinTuc_ctl00_hplTieuDe" class="qnp-news-title" href="/Trang/ChiTietTinTuc.aspx?nid=168658">Đẩy nhanh tiến độ các dự án giao thông trọng điểm của tỉnh</a>
				<span class="qnp-news-date">20/08/2026 08:35</span>
				<div class="qnp-news-sapo">Ngày 19/8, đồng chí Lê Minh Khôi, Phó Chủ tịch UBND tỉnh, chủ trì cuộc họp nghe báo cáo tiến độ triển khai các dự án giao thông trọng điểm sử dụng vốn đầu tư công năm 2026. Cùng dự có lãnh đạo các sở, ngành và các xã, phường có dự án đi qua.</div>
			</div>
		</div>
		<div class="qnp-news-item clearfix">
			<div class="qnp-news-thumb"><a href="/Trang/ChiTietTinTuc.aspx?nid=168641"><img src="https://media.quangninh.gov.vn/8f3c2a71-5d4e-4b9a-a1c6-2e7d9f0b4c38/Libraries/HinhAnhBaiViet/2026/08/19/Vi%CC%A3nh%20Ha%CC%A3%20Long%202026%20(3).jpg" alt="7 tháng năm 2026, Quảng Ninh đón hơn 12,8 triệu lượt khách du lịch" width="240" height="160" /></a></div>
			<div class="qnp-news-info">
				<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptTinTuc_ctl01_hplTieuDe" class="qnp-news-title" href="/Trang/ChiTietTinTuc.aspx?nid=168641">7 tháng năm 2026, Quảng Ninh đón hơn 12,8 triệu lượt khách du lịch</a>
				<span class="qnp-news-date">19/08/2026 16:10</span>
				<div class="qnp-news-sapo">Theo Sở Văn hóa, Thể thao và Du lịch, 7 tháng đầu năm 2026 toàn tỉnh đón hơn 12,8 triệu lượt khách, tăng 9,6% so với cùng kỳ năm trước; tổng thu từ du lịch ước đạt 29.400 tỷ đồng.</div>
			</div>
		</div>
		<div class="qnp-news-item clearfix">
			<div class="qnp-news-thumb"><a href="/Trang/ChiTietTinTuc.aspx?nid=168619"><img src="https://media.quangninh.gov.vn/8f3c2a71-5d4e-4b9a-a1c6-2e7d9f0b4c38/Libraries/HinhAnhBaiViet/2026/08/18/co-to-tau-thuyen-tranh-tru.jpg" alt="Đặc khu Cô Tô chủ động ứng phó với mưa lớn, gió mạnh trên biển" width="240" height="160" /></a></div>
			<div class="qnp-news-info">
				<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptTinTuc_ctl02_hplTieuDe" class="qnp-news-title" href="/Trang/ChiTietTinTuc.aspx?nid=168619">Đặc khu Cô Tô chủ động ứng phó với mưa lớn, gió mạnh trên biển</a>
				<span class="qnp-news-date">18/08/2026 10:20</span>
				<div class="qnp-news-sapo">Trước diễn biến phức tạp của thời tiết trên biển, đặc khu Cô Tô đã triển khai đồng bộ các biện pháp bảo đảm an toàn cho người dân, du khách và tàu thuyền hoạt động trên địa bàn.</div>
			</div>
		</div>
		<div class="qnp-news-item clearfix">
			<div class="qnp-news-thumb"><a href="/Trang/ChiTietTinTuc.aspx?nid=168577"><img src="https://media.quangninh.gov.vn/8f3c2a71-5d4e-4b9a-a1c6-2e7d9f0b4c38/Libraries/HinhAnhBaiViet/2026/08/14/DSC_0987.JPG" alt="Ngành Giáo dục sẵn sàng cho năm học mới 2026 - 2027" width="240" height="160" /></a></div>
			<div class="qnp-news-info">
				<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptTinTuc_ctl03_hplTieuDe" class="qnp-news-title" href="/Trang/ChiTietTinTuc.aspx?nid=168577">Ngành Giáo dục sẵn sàng cho năm học mới 2026 - 2027</a>
				<span class="qnp-news-date">14/08/2026 15:45</span>
				<div class="qnp-news-sapo">Năm học 2026 - 2027, toàn tỉnh có hơn 358.000 học sinh các cấp; các nhà trường đang khẩn trương hoàn thiện cơ sở vật chất, sách giáo khoa và đội ngũ để khai giảng vào ngày 5/9.</div>
			</div>
		</div>
		<div class="qnp-news-item clearfix">
			<div class="qnp-news-info">
				<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptTinTuc_ctl04_hplTieuDe" class="qnp-news-title" href="/Trang/ChiTietTinTuc.aspx?nid=168532">Trên 92% hồ sơ thủ tục hành chính được nộp trực tuyến trong 7 tháng</a>
				<span class="qnp-news-date">10/08/2026 09:00</span>
				<div class="qnp-news-sapo">7 tháng năm 2026, Trung tâm Phục vụ hành chính công tỉnh và các trung tâm phục vụ hành chính công cấp xã đã tiếp nhận hơn 486.000 hồ sơ thủ tục hành chính, trong đó trên 92% hồ sơ được nộp trực tuyến.</div>
			</div>
		</div>
		<div class="qnp-news-item clearfix">
			<div class="qnp-news-thumb"><a href="/Trang/ChiTietTinTuc.aspx?nid=168463"><img src="https://media.quangninh.gov.vn/8f3c2a71-5d4e-4b9a-a1c6-2e7d9f0b4c38/Libraries/HinhAnhBaiViet/2026/08/03/trao-gcn-dau-tu-kkt-quang-yen.jpg" alt="Khu kinh tế ven biển Quảng Yên thu hút thêm 3 dự án có vốn đầu tư nước ngoài" width="240" height="160" /></a></div>
			<div class="qnp-news-info">
				<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptTinTuc_ctl05_hplTieuDe" class="qnp-news-title" href="/Trang/ChiTietTinTuc.aspx?nid=168463">Khu kinh tế ven biển Quảng Yên thu hút thêm 3 dự án có vốn đầu tư nước ngoài</a>
				<span class="qnp-news-date">03/08/2026 14:30</span>
				<div class="qnp-news-sapo">Ngày 31/7, Ban Quản lý Khu kinh tế tỉnh trao Giấy chứng nhận đăng ký đầu tư cho 3 dự án có vốn đầu tư nước ngoài vào các khu công nghiệp thuộc Khu kinh tế ven biển Quảng Yên, với tổng vốn đăng ký 417 triệu USD.</div>
			</div>
		</div>
	</div>
	<div class="qnp-pager">
		<span class="qnp-pager-label">Trang:</span>
		<span class="qnp-pager-current">1</span>
		<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptPager_ctl01_lbtPage" href="javascript:__doPostBack(&#39;ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$rptPager$ctl01$lbtPage&#39;,&#39;&#39;)">2</a>
		<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptPager_ctl02_lbtPage" href="javascript:__doPostBack(&#39;ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$rptPager$ctl02$lbtPage&#39;,&#39;&#39;)">3</a>
		<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptPager_ctl03_lbtPage" href="javascript:__doPostBack(&#39;ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$rptPager$ctl03$lbtPage&#39;,&#39;&#39;)">4</a>
		<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_rptPager_ctl04_lbtPage" href="javascript:__doPostBack(&#39;ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$rptPager$ctl04$lbtPage&#39;,&#39;&#39;)">5</a>
		<span>...</span>
		<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_lbtNext" class="qnp-pager-next" href="javascript:__doPostBack(&#39;ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$lbtNext&#39;,&#39;&#39;)">Trang sau &raquo;</a>
		<a id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_lbtLast" class="qnp-pager-last" href="javascript:__doPostBack(&#39;ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$lbtLast&#39;,&#39;&#39;)">Trang cuối</a>
		<input type="hidden" name="ctl00$ctl40$g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72$ctl00$hdfPageIndex" id="ctl00_ctl40_g_6f1d2c3a_8e41_4b7f_9a26_3c5d8e0f1b72_ctl00_hdfPageIndex" value="1" />
	</div>
</div><div class="ms-clear"></div></div>
</div>
</div>
</div>
<div style='display:none' id='hidZone'></div>
</div>
</div>
<div class="col-md-3 qnp-col-right">
<div class="ms-webpart-zone ms-fullWidth">
<div id="MSOZoneCell_WebPartWPQ4" class="s4-wpcell-plain ms-webpartzone-cell ms-webpart-cell-vertical ms-fullWidth ">
<div class="ms-webpart-chrome ms-webpart-chrome-vertical ms-webpart-chrome-fullWidth ">
<div WebPartID="1c7a5e90-3b2d-4f6e-8a01-d94e2b7c5f13" HasPers="false" id="WebPartWPQ4" width="100%" class="ms-WPBody noindex " allowDelete="false" allowExport="false" style="" ><div id="ctl00_ctl40_g_1c7a5e90_3b2d_4f6e_8a01_d94e2b7c5f13">
	<div class="qnp-box qnp-box-mostread">
		<h3 class="qnp-box-title"><span>Tin đọc nhiều</span></h3>
		<ul class="qnp-list-mostread">
			<li><a href="/Trang/ChiTietTinTuc.aspx?nid=168463" title="Khu kinh tế ven biển Quảng Yên thu hút thêm 3 dự án có vốn đầu tư nước ngoài">Khu kinh tế ven biển Quảng Yên thu hút thêm 3 dự án có vốn đầu tư nước ngoài</a></li>
			<li><a href="/Trang/ChiTietTinTuc.aspx?nid=168641" title="7 tháng năm 2026, Quảng Ninh đón hơn 12,8 triệu lượt khách du lịch">7 tháng năm 2026, Quảng Ninh đón hơn 12,8 triệu lượt khách du lịch</a></li>
			<li><a href="/Trang/ChiTietTinTuc.aspx?nid=168577" title="Ngành Giáo dục sẵn sàng cho năm học mới 2026 - 2027">Ngành Giáo dục sẵn sàng cho năm học mới 2026 - 2027</a></li>
			<li><a href="/Trang/ChiTietTinTuc.aspx?nid=168619" title="Đặc khu Cô Tô chủ động ứng phó với mưa lớn, gió mạnh trên biển">Đặc khu Cô Tô chủ động ứng phó với mưa lớn, gió mạnh trên biển</a></li>
		</ul>
	</div>
</div><div class="ms-clear"></div></div>
</div>
</div>
</div>
<div class="qnp-box qnp-box-banner">
	<a href="https://dichvucong.quangninh.gov.vn/" target="_blank"><img src="/PublishingImages/Banner/dvc-truc-tuyen.jpg" alt="Dịch vụ công trực tuyến" /></a>
	<a href="https://hanhchinhcong.quangninh.gov.vn/" target="_blank"><img src="/PublishingImages/Banner/trung-tam-hcc.jpg" alt="Trung tâm Phục vụ hành chính công tỉnh" /></a>
	<a href="/Trang/LayYKienDuThao.aspx"><img src="/PublishingImages/Banner/lay-y-kien-du-thao.jpg" alt="Lấy ý kiến dự thảo văn bản" /></a>
</div>
<div class="qnp-box qnp-box-links">
	<h3 class="qnp-box-title"><span>Liên kết website</span></h3>
	<select class="form-control" onchange="if(this.value!=''){window.open(this.value);}">
		<option value="">-- Chọn website --</option>
		<option value="https://chinhphu.vn/">Cổng TTĐT Chính phủ</option>
		<option value="https://dichvucong.gov.vn/">Cổng Dịch vụ công quốc gia</option>
		<option value="https://baoquangninh.vn/">Báo Quảng Ninh</option>
		<option value="https://www.quangninh.gov.vn/so/sothongtinTT/Trang/Default.aspx">Sở Khoa học và Công nghệ</option>
	</select>
</div>
<div class="qnp-box qnp-box-stat">
	<h3 class="qnp-box-title"><span>Thống kê truy cập</span></h3>
	<p>Đang truy cập: <b>2.318</b><br />
	Hôm nay: <b>41.906</b><br />
	Tổng số: <b>96.482.157</b></p>
</div>
</div>
</div>
</div>
<div class="qnp-footer">
	<div class="container">
		<div class="qnp-footer-links">
			<a href="/Trang/Default.aspx">Trang chủ</a> | <a href="/Trang/GioiThieu.aspx">Giới thiệu</a> | <a href="/Trang/SoDoCong.aspx">Sơ đồ cổng</a> | <a href="/Trang/LienHe.aspx">Liên hệ</a> | <a href="/so/sothongtinTT/Trang/Qnp-rss.aspx" class="qnp-rss"><img src="/Style%20Library/QNP/images/icon-rss.png" alt="RSS" /> RSS</a>
		</div>
		<p><strong>C&#7892;NG TH&#212;NG TIN &#272;I&#7878;N T&#7916; T&#7880;NH QU&#7842;NG NINH</strong><br />
		C&#417; quan ch&#7911; qu&#7843;n: &#7910;y ban nh&#226;n d&#226;n t&#7881;nh Qu&#7843;ng Ninh<br />
		Địa chỉ: Trụ sở Liên cơ quan số 3, phường Hồng Gai, tỉnh Quảng Ninh<br>
		Điện thoại: 0203.3634.555 - Email: congthongtin@quangninh.gov.vn<br />
		Chịu trách nhiệm chính: Chánh Văn phòng UBND tỉnh</p>
		<p class="qnp-copyright">Ghi r&#245; ngu&#7891;n &#8220;C&#7893;ng th&#244;ng tin &#273;i&#7879;n t&#7917; t&#7881;nh Qu&#7843;ng Ninh&#8221; ho&#7863;c &#8220;www.quangninh.gov.vn&#8221; khi ph&#225;t h&#224;nh l&#7841;i th&#244;ng tin t&#7915; ngu&#7891;n n&#224;y.</p>
		<a href="https://tinnhiemmang.vn/danh-ba-tin-nhiem/quangninhgovvn-1624267856" title="Chung nhan Tin Nhiem Mang" target="_blank"><img src="https://tinnhiemmang.vn/handle_cert?id=quangninh.gov.vn" width="150" height="auto" alt="Chung nhan Tin Nhiem Mang" /></a>
	</div>
</div>
</div>
</div>
</div>
<div class="aspNetHidden">

	<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="BAB98CB3" />
	<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEPDwUKe4UxbSAjEOZjMclhAY24KBvD8ydHjUHdfhonLnMk/Iz5xuHEreB1AF7SzLQgpWw8bQE/ey2yvFrUSF39eI3NNyw2G2WAq0pFh5MVJH0iiLJY4xhS95t6XzIz3MZZyeiGVY42HbFhbW6UAIl2p41P7uLaZVmsETBhTj3ruobZhCVrnKqq0jHA+JUn8IJEFbj/XCX9biMdm06jNjmjjNntsZHSdNrbyKS3vIIrmFBnabqGWFyI" />
</div>

<script type="text/javascript">
//<![CDATA[
var _spFormDigestRefreshInterval = 1440000;window.g_updateFormDigestPageLoaded = new Date(); window.g_updateFormDigestPageLoaded.setDate(window.g_updateFormDigestPageLoaded.getDate() -5);var _fV4UI = true;
function _RegisterWebPartPageCUI()
{
    var initInfo = {editable: false,isEditMode: false,allowWebPartAdder: false,listId: "{5c1a7e3f-9d42-4b8e-a6f0-2e913d7c4b58}",itemId: 2,recycleBinEnabled: true,enableMinorVersioning: true,enableModeration: true,forceCheckout: true,rootFolderUrl: "\u002fTrang",itemPermissions:{High:16,Low:196705}};
    SP.Ribbon.WebPartComponent.registerWithPageManager(initInfo);
    var wpcomp = SP.Ribbon.WebPartComponent.get_instance();
    var hid;
    hid = document.getElementById("_wpSelected");
    if (hid != null)
    {
        var wpid = hid.value;
        if (wpid.length > 0)
        {
            var zc = document.getElementById(wpid);
            if (zc != null)
                wpcomp.selectWebPart(zc, false);
        }
    }
}
ExecuteOrDelayUntilScriptLoaded(_RegisterWebPartPageCUI, "sp.ribbon.js");
var __wpmExportWarning='This Web Part Page has been personalized. As a result, one or more Web Part properties may contain confidential information. Make sure the properties contain information that is safe for others to read. After exporting this Web Part, view properties in the Web Part description file (.WebPart) by using a text editor such as Microsoft Notepad.';var __wpmCloseProviderWarning='You are about to close this Web Part.  It is currently providing data to other Web Parts, and these connections will be deleted if this Web Part is closed.  To close this Web Part, click OK.  To keep this Web Part, click Cancel.';var __wpmDeleteWarning='You are about to permanently delete this Web Part.  Are you sure you want to do this?  To delete this Web Part, click OK.  To keep this Web Part, click Cancel.';
WebForm_InitCallback();//]]>
</script>
</form>
<span id="DeltaPlaceHolderUtilityContent"></span>
<script type="text/javascript">
	$(function () { QNP.init(); });
</script>
</body>
</html>
